declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
  }
}

/** A file's text (Vite's ?raw import), e.g. an SQL script the tests run. */
declare module "*?raw" {
  const text: string;
  export default text;
}
