import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts', 'migrations/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    env: {DO_NOT_TRACK: '1', SANITY_TELEMETRY_DISABLED: '1'},
  },
})
