// Types for the part of sampjs (Mark Taylor's SAMP Web Profile client, npm "sampjs", CommonJS) that drsoda uses.
declare module 'sampjs' {
  type Handler<T> = (result: T) => void;
  type ErrorHandler = (error: unknown) => void;
  export interface SampMessage {
    'samp.mtype': string;
  }
  export interface SampConnection {
    regInfo: Record<string, string>;
    closed?: boolean;
    notify(args: [string, SampMessage], ok?: Handler<unknown>, err?: ErrorHandler): void;
    declareMetadata(args: [Record<string, string>], ok?: Handler<unknown>, err?: ErrorHandler): void;
    getSubscribedClients(args: [string], ok?: Handler<Record<string, unknown>>, err?: ErrorHandler): void;
    getMetadata(args: [string], ok?: Handler<Record<string, string>>, err?: ErrorHandler): void;
    close(): void;
  }
  export interface SampApi {
    Message: new (mtype: string, params: Record<string, unknown>) => SampMessage;
    register(appName: string, onConnection: Handler<SampConnection>, onError: ErrorHandler): void;
    ping(handler: Handler<boolean>): void;
  }
  const exported: { samp: SampApi };
  export default exported;
}
