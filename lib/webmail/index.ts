export * from './sites';
export * from './thread';
export * from './channel';
