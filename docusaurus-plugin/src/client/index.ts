/** Browser-side building blocks (no Docusaurus imports), for swizzled components and tests. */
export * from './context';
export * from './selection';
export * from './sse';
export * from './thread';
export * from './chatClient';
export * from './session';
export * from './transport';
export * from './markdown';
export * from './shortcut';
export * from './storage';
export * from './http';
export * from './login';
export * from './identity';
