// The allocator settings scrubbing processes start with (engine/runtime/malloc-tunables.ts).
import { describe, expect, it } from 'vitest';
import { lacksMallocTunables, MALLOC_TUNABLES, withMallocTunables } from '../../engine/runtime/malloc-tunables.js';

describe('malloc tunables', () => {
    it('adds ours before the tunables the environment sets, so that the user\'s win', () => {
        expect(withMallocTunables({}).GLIBC_TUNABLES).toBe(MALLOC_TUNABLES);
        expect(withMallocTunables({ GLIBC_TUNABLES: 'glibc.malloc.top_pad=0', PATH: '/bin' })).toEqual({
            GLIBC_TUNABLES: `${MALLOC_TUNABLES}:glibc.malloc.top_pad=0`, PATH: '/bin',
        });
    });

    it('says a process lacks them on Linux until its environment has them', () => {
        expect(lacksMallocTunables({})).toBe(process.platform === 'linux');
        expect(lacksMallocTunables(withMallocTunables({}))).toBe(false);
        expect(lacksMallocTunables({ GLIBC_TUNABLES: 'glibc.malloc.top_pad=0' })).toBe(process.platform === 'linux');
    });
});
