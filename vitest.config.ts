import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Tests make real git commits: give them an identity (CI machines have no global git config)
    // and keep the user's global/system git config out of the way.
    env: {
      GIT_AUTHOR_NAME: "Lexum Test",
      GIT_AUTHOR_EMAIL: "test@lexum.invalid",
      GIT_COMMITTER_NAME: "Lexum Test",
      GIT_COMMITTER_EMAIL: "test@lexum.invalid",
      GIT_CONFIG_NOSYSTEM: "1",
      NO_COLOR: "1",
      // Ink renders only the final frame when it thinks it runs in CI; the terminal-view
      // tests drive keys and read every frame, so they must see the interactive renderer.
      CI: "false",
    },
  },
});
