import { defineConfig } from 'vitest/config';

export default defineConfig({
    test: {
        include: ['test/**/*.test.ts'],
        globalSetup: ['test/global-setup.ts'],
        // onnxruntime sessions are native and memory-hungry: two cores, two workers at most.
        maxWorkers: 2,
        testTimeout: 60_000,
        hookTimeout: 120_000,
    },
});
