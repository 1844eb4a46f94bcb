import type { FastifyInstance, FastifyRequest, FastifySchema } from 'fastify';
import { IesError } from '@ies/errors';
import { isObjectId } from './object-id.js';
import { operationsTopics, tenantTopicRoot, venTopicRoot } from './mqtt-topics.js';
import type { OpenAdrScope } from './scopes.js';
import type { VtnDeps, VtnViewer } from './vtn-routes.js';

const HIDDEN = { schema: { hide: true } as FastifySchema };

/**
 * GET /notifiers and /notifiers/mqtt/topics/* (openadr3.yaml): the bindings offered and the
 * MQTT topic names (mqtt-topics.ts). The BL's routes (every object of the tenant) need
 * read_bl; a VEN's (`/vens/{venID}/…`) are answered to that VEN and to the BL. The broker
 * authenticates with the client's OAuth access token as password (OAUTH2_BEARER_TOKEN) and
 * lets a VEN subscribe under its own topics only (mqtt-broker.ts).
 */
export function notifierRoutes(vtn: FastifyInstance, deps: VtnDeps, viewer: (req: FastifyRequest, scope: OpenAdrScope) => Promise<VtnViewer>): void {
  // Any client may learn the bindings (the spec names read_all; a VEN needs them to connect).
  vtn.get('/notifiers', HIDDEN, async (req) => {
    await viewer(req, 'read_targets');
    return {
      WEBHOOK: true,
      ...(deps.mqttUris.length === 0 ? {} : { MQTT: { URIS: [...deps.mqttUris], serialization: 'JSON', authentication: { method: 'OAUTH2_BEARER_TOKEN', username: '{clientID}' } } }),
    };
  });
  const bl = async (req: FastifyRequest) => {
    const who = await viewer(req, 'read_bl');
    if (!who.bl) throw new IesError('IES_ERR_ROLE_FORBIDDEN', 'the topics of every object of the tenant are the BL’s; a VEN reads its own under /notifiers/mqtt/topics/vens/{venID}');
    return tenantTopicRoot(who.discomId);
  };
  const id = (req: FastifyRequest, name: string) => {
    const value = (req.params as Record<string, string>)[name] as string;
    if (!isObjectId(value)) throw new IesError('IES_ERR_VALIDATION', `${name} ${JSON.stringify(value.slice(0, 140))} is not an OpenADR objectID`);
    return value;
  };
  for (const kind of ['programs', 'events', 'reports', 'subscriptions', 'vens', 'resources']) {
    vtn.get(`/notifiers/mqtt/topics/${kind}`, HIDDEN, async (req) => ({ topics: operationsTopics(`${await bl(req)}/${kind}`, true) }));
  }
  vtn.get('/notifiers/mqtt/topics/programs/:programID', HIDDEN, async (req) => ({ topics: operationsTopics(`${await bl(req)}/programs/${id(req, 'programID')}`, false) }));
  vtn.get('/notifiers/mqtt/topics/programs/:programID/events', HIDDEN, async (req) => ({ topics: operationsTopics(`${await bl(req)}/programs/${id(req, 'programID')}/events`, true) }));

  /** A VEN's own tree: the VEN itself, or the BL; another VEN's is not found. */
  const venRoot = async (req: FastifyRequest) => {
    const who = await viewer(req, 'read_ven_objects');
    const venID = id(req, 'venID');
    const aggregator = deps.registry.participantsOf(who.discomId, 'AGGREGATOR').find((a) => venTopicRoot(who.discomId, a.id) === `${tenantTopicRoot(who.discomId)}/ven/${venID}`);
    if (!aggregator || (!who.bl && aggregator.id !== who.participantId)) throw new IesError('IES_ERR_NOT_FOUND', `no VEN ${venID} visible to this client`);
    return venTopicRoot(who.discomId, aggregator.id);
  };
  vtn.get('/notifiers/mqtt/topics/vens/:venID', HIDDEN, async (req) => ({ topics: operationsTopics(await venRoot(req), false) }));
  for (const kind of ['events', 'programs', 'resources']) {
    vtn.get(`/notifiers/mqtt/topics/vens/:venID/${kind}`, HIDDEN, async (req) => ({ topics: operationsTopics(`${await venRoot(req)}/${kind}`, true) }));
  }
}
