import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { SocketTracker, type TrackedSocket } from '../src/engine/index.js';

/** What SocketTracker needs of a node:net Socket, and no more: core takes any such object. */
class FakeSocket extends EventEmitter implements TrackedSocket {
  destroyed = false;
  destroyedWith: Error | undefined;
  destroy(error?: Error): this {
    this.destroyed = true;
    this.destroyedWith = error;
    queueMicrotask(() => this.emit('close'));
    return this;
  }
}

describe('SocketTracker', () => {
  it('gives each socket back with its own type, and destroys the open ones with a reason a driver sees', async () => {
    const tracker = new SocketTracker();
    const [a, b] = [tracker.track(new FakeSocket()), tracker.track(new FakeSocket())];
    expect(a).toBeInstanceOf(FakeSocket);
    b.destroy();
    tracker.destroyAll();
    await tracker.allClosed();
    expect(a.destroyed).toBe(true);
    expect(a.destroyedWith).toMatchObject({ code: 'ECONNABORTED' });
  });

  it('resolves allClosed() at once when every socket closed already', async () => {
    const tracker = new SocketTracker();
    const socket = tracker.track(new FakeSocket());
    socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 0));
    await expect(tracker.allClosed()).resolves.toBeUndefined();
  });
});
