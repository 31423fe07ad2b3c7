// The buffers local-function feeds are stacked in during one execution of a plan: one per parent
// slot and element type, grown when a batch needs more and handed out as a view of the length
// asked for. onnxruntime reads a feed only during its run, so the next run may overwrite it.
import { allocTyped, type NumericArray } from './typed-arrays.js';

/**
 * Feed buffers shared by every run of an execution. A buffer per tensor and batch length (as
 * before) allocated afresh for nearly every group of requests, since groups differ in length:
 * l0_head0 of the raw torch export allocated 20 MB of zeroed arrays in 129 buffers per scrub,
 * whose fresh pages the kernel faulted in and the collector then freed.
 */
export class FeedBuffers {
    private readonly held = new Map<string, NumericArray>();

    /**
     * `length` elements of `dtype` for feed slot `slot` (a parent's index in its function's
     * inputs, so that the feeds of one run never share a buffer). Elements are left as the
     * previous run wrote them: the caller writes every element its function reads.
     */
    take(dtype: string, slot: string, length: number): NumericArray {
        const key = `${dtype}\u0000${slot}`;
        let buffer = this.held.get(key);
        if (buffer === undefined || buffer.length < length) {
            // Grown by half again at least, so that a run of slowly growing batches allocates a few times, not each time.
            buffer = allocTyped(dtype, Math.max(length, Math.ceil(1.5 * (buffer?.length ?? 0))));
            this.held.set(key, buffer);
        }
        return buffer.length === length ? buffer : buffer.subarray(0, length);
    }
}
