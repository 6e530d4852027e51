/**
 * @profilesync/client: a game client's own profile, live, from a profilesync master over WebSocket.
 *
 * ```ts
 * import { ProfilesClient, webSocketTransport } from "@profilesync/client";
 * const client = new ProfilesClient({ transport: webSocketTransport("wss://game.example/profilesync"), token });
 * const profile = await client.connect();
 * profile.onChange("gold", (gold) => render(gold));
 * client.set("displayName", "Zoë");
 * ```
 */
export { NotDurableError, ProfilesClient, RefusedError, backoffDelayMs } from "./client.js";
export type { ClientRefusal, ClientState, Clock, ProfilesClientOptions } from "./client.js";
export { Profile, FORMAT_VERSION, layoutFingerprint } from "./profile.js";
export type {
    ApplyOptions, ElementValue, KeyValue, ListOpCode, ListRebase, ProfileListener, PropertyValue, RecordedListOp,
    ValueListener, Vector3,
} from "./profile.js";
export { ProfileFormatError, ByteReader, ByteWriter, toHex, fromHex } from "./codec/bytes.js";
export { sha256 } from "./codec/sha256.js";
export { parseSchema, parseType, typeDescriptor, javaFloatToString, SchemaError } from "./schema.js";
export type { ElementKind, KeyKind, PropertyDefinition, PropertyKind } from "./schema.js";
export {
    decodeMessage, encodeMessage, MESSAGE_IDS, PROTOCOL_VERSION, ProtocolError, RefusalCode, Role,
} from "./messages.js";
export type { HandleDelta, Message, MessageType, Refusal } from "./messages.js";
export { Replica } from "./replica.js";
export { webSocketTransport } from "./transport.js";
export type { Transport, TransportFactory, TransportHandler, WebSocketConstructor, WebSocketLike } from "./transport.js";
