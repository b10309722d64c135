/**
 * A TCP proxy in front of a PostgreSQL server that loses the connection around one COMMIT: the first simple-query
 * `COMMIT` sent on a connection after a statement whose text holds `marker` (or at that statement:
 * `at_marked_silently`). It either passes
 * the COMMIT and cuts the client off when the server answers (the answer never arrives: the transaction is
 * committed), or drops the COMMIT and cuts both sides (the server rolls back); or it cuts the client off when the
 * server answers the marked statement itself. With `unreachableAfter`, every connection is cut then and new ones
 * are refused: the server looks gone. Each connection is cut once at most, and `cutsAtMost` connections in all.
 */
import { createServer, type Server, Socket } from 'node:net';

/**
 * `before_commit_silently`: the COMMIT is dropped and only the client is cut off; the server keeps its side open,
 * its transaction idle and its locks held, as after a network partition it has not noticed. `at_marked_silently`:
 * the same, at the marked statement itself (a simple query too, such as a COPY), mid-transaction.
 */
export type CutMode =
  | 'after_commit_answered'
  | 'before_commit'
  | 'before_commit_silently'
  | 'after_marked_answered'
  | 'at_marked_silently';

export interface CommitCuttingProxy {
  /** `targetUrl` with its host and port replaced by the proxy's. */
  readonly url: string;
  /** Connections cut so far. */
  readonly cuts: number;
  close(): Promise<void>;
}

export interface ProxyOptions {
  marker: string;
  mode: CutMode;
  unreachableAfter?: boolean;
  /** Default: every connection that sends the statements. */
  cutsAtMost?: number;
  /** Called as a connection is cut. */
  onCut?: () => void;
}

export async function startCommitCuttingProxy(
  targetUrl: string,
  options: ProxyOptions,
): Promise<CommitCuttingProxy> {
  const target = new URL(targetUrl);
  const sockets = new Set<Socket>();
  let cuts = 0;
  let refusing = false;
  const cutEverything = () => {
    options.onCut?.();
    if (!options.unreachableAfter) return;
    refusing = true;
    for (const socket of sockets) socket.destroy();
  };

  const server: Server = createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    const upstream = new Socket();
    upstream.connect(Number(target.port || 5432), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {});
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());

    const messages = new MessageSplitter();
    let armed = false;
    let awaitingAnswer = false;
    upstream.on('data', (data: Buffer) => {
      if (!awaitingAnswer) {
        client.write(data);
        return;
      }
      // The server answered the COMMIT (or the marked statement): the client never sees it.
      cuts += 1;
      client.destroy();
      upstream.destroy();
      cutEverything();
    });
    const cutSilently = () => {
      cuts += 1;
      client.removeAllListeners('close');
      upstream.removeAllListeners('data');
      client.destroy();
      cutEverything();
    };
    client.on('data', (data: Buffer) => {
      for (const message of messages.push(data)) {
        if (cuts >= (options.cutsAtMost ?? Number.POSITIVE_INFINITY)) continue;
        const marked =
          (message.type === 'P' || message.type === 'Q') && message.body.includes(options.marker);
        if (marked && options.mode === 'at_marked_silently') {
          cutSilently();
          return;
        }
        if (marked) {
          armed = true;
          if (options.mode === 'after_marked_answered') awaitingAnswer = true;
        }
        const commit = message.type === 'Q' && message.body.startsWith('COMMIT');
        if (armed && !awaitingAnswer && commit && options.mode !== 'after_marked_answered') {
          if (options.mode === 'before_commit_silently') {
            cutSilently();
            return;
          }
          if (options.mode !== 'after_commit_answered') {
            cuts += 1;
            upstream.destroy();
            client.destroy();
            cutEverything();
            return;
          }
          awaitingAnswer = true;
        }
      }
      upstream.write(data);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the proxy has no TCP address');
  const url = new URL(targetUrl);
  url.hostname = '127.0.0.1';
  url.port = String(address.port);

  return {
    url: url.toString(),
    get cuts() {
      return cuts;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The frontend's messages (type and text of the body), the untyped startup message first. */
class MessageSplitter {
  private pending = Buffer.alloc(0);
  private started = false;

  push(data: Buffer): { type: string; body: string }[] {
    this.pending = Buffer.concat([this.pending, data]);
    const messages: { type: string; body: string }[] = [];
    for (;;) {
      const typed = this.started ? 1 : 0;
      if (this.pending.length < typed + 4) break;
      const length = this.pending.readInt32BE(typed);
      if (this.pending.length < typed + length) break;
      const type = typed ? String.fromCharCode(this.pending[0] ?? 0) : '';
      messages.push({ type, body: this.pending.subarray(typed + 4, typed + length).toString('latin1') });
      this.pending = this.pending.subarray(typed + length);
      this.started = true;
    }
    return messages;
  }
}
