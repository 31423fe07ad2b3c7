import { defineConfig } from 'vitest/config';

export default defineConfig({
    test: {
        include: ['test/**/*.test.ts'],
        // onnxruntime sessions are native and memory-hungry: two cores, two workers at most.
        maxWorkers: 2,
        testTimeout: 60_000,
        hookTimeout: 120_000,
    },
});
