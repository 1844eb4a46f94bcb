import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../scripts/tlog-client.sh');

/**
 * Each tenant's log as a C2SP tiled log: prints its URL prefix and verifier key (saved in
 * `<outDir>/<discom>.vkey`), and checks it with the independent Go client (tools/tlog-client)
 * when Go is installed: signature, the tree from its tiles, every entry bundle, and
 * consistency with the run's first checkpoint where one is given. Without Go it says how.
 */
export async function checkTiledLogs(o: { gatewayUrl: string; logs: readonly { discom: string; vkey: string; earlier?: string; witness?: string }[]; outDir: string }): Promise<boolean> {
  await mkdir(o.outDir, { recursive: true });
  const haveGo = await run('bash', ['-c', 'command -v go']).then((r) => r.status === 0);
  let ok = true;
  for (const log of o.logs) {
    const url = `${o.gatewayUrl}/logs/${log.discom}`;
    const vkeyFile = path.join(o.outDir, `${log.discom}.vkey`);
    await writeFile(vkeyFile, `${log.vkey}\n`);
    const old = [...(log.earlier !== undefined && existsSync(log.earlier) ? ['-old', log.earlier] : []), ...(log.witness !== undefined ? ['-witness', log.witness] : [])];
    console.log(`    ${log.discom}: ${url}/  (checkpoint, tile/<L>/<N>, tile/entries/<N>)\n      vkey ${log.vkey}`);
    console.log(`    $ npm run test:tlog -- ${old.map((a) => (a === log.witness ? '<witness vkey>' : a)).join(' ')}${old.length ? ' ' : ''}${url} "$(cat ${vkeyFile})"`);
    if (!haveGo) {
      console.log('      (Go is not installed here: the independent client was not run)');
      continue;
    }
    const r = await run('bash', [SCRIPT, ...old, url, log.vkey]);
    console.log(`      ${r.out.split('\n').filter(Boolean).at(-1) ?? `exit ${r.status}`}`);
    ok &&= r.status === 0;
  }
  return ok;
}

/** Runs a child without blocking this process (it serves the logs the child reads). */
function run(file: string, args: readonly string[]): Promise<{ status: number | null; out: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { encoding: 'utf8', timeout: 600_000 }, (err, stdout, stderr) => {
      resolve({ status: err ? (typeof err.code === 'number' ? err.code : null) : 0, out: `${stderr}${stdout}`.trim() });
    });
  });
}
