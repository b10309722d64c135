/** The hashing thread of a verification: hashes each packed batch of events it is sent, in order. */
import { parentPort } from 'node:worker_threads';
import { hashPackedEvents } from './event-hashes.js';

const port = parentPort;
if (!port) throw new Error('hash-worker runs as a worker thread only');
port.on('message', (packed: ArrayBuffer) => {
  const hashes = hashPackedEvents(packed);
  port.postMessage(hashes, [hashes]);
});
