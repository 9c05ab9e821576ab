export * from './sites';
export * from './thread';
export * from './channel';
export * from './gmail';
export * from './outlook';
export * from './new-mail';
