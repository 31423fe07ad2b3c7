// The onnxruntime threads of a run's own sessions (engine/prepare.ts): every core unless the run
// says otherwise. onnxruntime's own default took one thread on a 2-vCPU VM, half the machine.
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { sessionThreads } from '../../engine/prepare.js';

describe('sessionThreads', () => {
    it('is every core by default, never onnxruntime\'s own default', () => {
        expect(sessionThreads({})).toBe(availableParallelism());
    });

    it('takes the run\'s threads, and an explicit onnxruntime thread count over them', () => {
        expect(sessionThreads({ threads: 3 })).toBe(3);
        expect(sessionThreads({ threads: 3, intraOpThreads: 1 })).toBe(1);
        expect(sessionThreads({ intraOpThreads: 2 })).toBe(2);
    });
});
