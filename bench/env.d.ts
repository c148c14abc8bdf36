// The src/ modules the routing benchmark imports (the planner, the catalog index)
// name the Worker's global `Env` type, which only tsconfig.json (Worker side) declares.
// Node-side checking (tsconfig.node.json) gets this stand-in; the bench passes plain
// objects of string bindings.
interface Env { [binding: string]: unknown }
