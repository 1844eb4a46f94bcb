import http from 'node:http';

/**
 * The ceiling's server, run as its own process (`startStaticServer`) so that, like the gateway,
 * it has an event loop of its own rather than sharing the load generator's: a bare node:http
 * server on 127.0.0.1 answering every GET with the same BYTES bytes. Prints its port, then serves
 * until SIGTERM.
 */
const size = Number(process.argv[2] ?? 8192);
const body = Buffer.alloc(size, 0x5a);
const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
  res.end(body);
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${typeof address === 'object' && address !== null ? address.port : 0}\n`);
});
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
