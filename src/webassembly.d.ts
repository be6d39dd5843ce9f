// The part of the WebAssembly JavaScript API that instrument calls. Node provides it as a global;
// TypeScript declares it only in its DOM library, which would also declare a browser's globals.
declare namespace WebAssembly {
  interface Module {}
  interface Instance {
    readonly exports: Record<string, unknown>;
  }
  type Imports = Record<string, Record<string, unknown>>;
  const Instance: new (module: Module, imports?: Imports) => Instance;
  function compile(bytes: Uint8Array): Promise<Module>;
}
