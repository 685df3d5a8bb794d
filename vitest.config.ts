import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // the IR verifier runs after every optimizer pass in every test, and in every gradc the tests spawn
    env: { GRADC_VERIFY: "1" },
  },
});
