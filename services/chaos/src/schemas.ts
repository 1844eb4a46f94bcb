import type { Config } from '@ies/config';
import { TOPICS } from '@ies/contracts';
import { AvroSerde } from '@ies/kafka';

/**
 * Registers every tenant topic's value schema once, before any service starts. On an empty
 * registry, processes that register the same subject at the same moment race on its
 * compatibility rule (Apicurio answers 409 "A rule named 'COMPATIBILITY' already exists"),
 * which the node reports as IES_ERR_SCHEMA_INCOMPATIBLE: a cold-start race, not one of the
 * faults this campaign is about, so the campaign provisions schemas as an operator would.
 */
export async function registerSchemas(config: Config, discoms: readonly string[]): Promise<string[]> {
  const serde = new AvroSerde({ registryUrl: config.registry.url });
  const problems: string[] = [];
  for (const d of discoms) {
    for (const topic of Object.values(TOPICS)) {
      if (topic.valueSchema === undefined) continue;
      await serde.registerTopic(d, topic).catch((err: Error) => problems.push(`${d} ${topic.name}: ${err.message}`));
    }
  }
  return problems;
}
