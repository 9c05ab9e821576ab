// Runs before `npm test`: prints the Node that npm scripts use and stops early when it is older
// than 22 (WXT 0.21 and Vitest 5 need it). The `node` devDependency puts Node 22 first on PATH.
const major = Number(process.versions.node.split('.')[0]);
console.log(`node ${process.version} (npm scripts)`);
if (major < 22) {
  console.error('Node 22 or newer is required. Run `npm ci` so the project-pinned Node from the `node` package is used.');
  process.exit(1);
}
