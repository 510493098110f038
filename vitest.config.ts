import { defineConfig } from 'vitest/config';

// Unit tests are pure and fast; integration tests start the embedded local cloud and share the machine's two cores,
// so they run in forks with a generous timeout.
export default defineConfig({
  test: {
    // The SDK warns that its 2027 releases need Node 22; the deployed functions run Node.js 22 already.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['**/*.test.ts'],
          exclude: ['**/*.int.test.ts', 'node_modules/**', 'cdk.out/**', '.dom/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['**/*.int.test.ts'],
          exclude: ['node_modules/**', 'cdk.out/**', '.dom/**'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          pool: 'forks',
        },
      },
    ],
  },
});
