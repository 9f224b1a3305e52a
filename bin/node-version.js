// Which Node versions can run the TypeScript sources: type stripping is on by default from 22.18
// on the 22 line and from 23.6 on. Plain JavaScript, so that an older Node can run it and say so.

/** Why `version` (e.g. `v20.20.2`) cannot run Gatehouse, or undefined when it can. */
export function unsupportedNode(version) {
  const [major, minor] = version.replace(/^v/, '').split('.').map(Number)
  const supported = major > 23 || (major === 23 && minor >= 6) || (major === 22 && minor >= 18)
  if (supported) return undefined
  return `gatehouse needs Node.js 22.18 or later (it runs its TypeScript sources directly); this is ${version}. ` +
    'In a checkout, `npx gatehouse …` and the npm scripts run on the Node version the project pins.'
}
