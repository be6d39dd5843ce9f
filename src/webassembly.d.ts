// The part of the WebAssembly JavaScript API that instrument calls. Node provides it as a global;
// TypeScript declares it only in its DOM library, which would also declare a browser's globals.
declare namespace WebAssembly {
  interface Module {}
  interface Instance {}
  type Imports = Record<string, Record<string, unknown>>;
  function compile(bytes: Uint8Array): Promise<Module>;
  function instantiate(module: Module, imports?: Imports): Promise<Instance>;
}
