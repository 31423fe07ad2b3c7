// Feed buffers (engine/execute/feed-buffers.ts): one buffer per slot and type, reused and grown.
import { describe, expect, it } from 'vitest';
import { FeedBuffers } from '../../engine/execute/feed-buffers.js';

describe('FeedBuffers', () => {
    it('hands out views of the length asked for, sharing one buffer per slot and type', () => {
        const buffers = new FeedBuffers();
        const a = buffers.take('float32', '0', 10) as Float32Array;
        expect(a).toBeInstanceOf(Float32Array);
        expect(a.length).toBe(10);
        a.fill(7);
        // A shorter batch reuses the buffer: its elements are what the last run left.
        const b = buffers.take('float32', '0', 4);
        expect(b.length).toBe(4);
        expect(b.buffer).toBe(a.buffer);
        expect([...b]).toEqual([7, 7, 7, 7]);
    });

    it('never shares a buffer between slots or types (the feeds of one run)', () => {
        const buffers = new FeedBuffers();
        const a = buffers.take('float32', '0', 8);
        const b = buffers.take('float32', '1', 8);
        const c = buffers.take('int64', '0', 8);
        expect(b.buffer).not.toBe(a.buffer);
        expect(c).toBeInstanceOf(BigInt64Array);
        expect(c.buffer).not.toBe(a.buffer);
    });

    it('grows by half again at least when a batch needs more', () => {
        const buffers = new FeedBuffers();
        const a = buffers.take('float32', '0', 100);
        const b = buffers.take('float32', '0', 101);
        expect(b.buffer).not.toBe(a.buffer);
        expect(b.length).toBe(101);
        expect(b.buffer.byteLength).toBe(150 * 4);
        // Up to the grown size, no new buffer.
        expect(buffers.take('float32', '0', 150).buffer).toBe(b.buffer);
    });
});
