package com.esotericsoftware.kryonet;

import java.nio.ByteBuffer;

/**
 * A KryoNet connection of an {@link OnDemandServer}: its read and write buffers exist only while a message is being
 * read or waits to be written, and are dropped once empty. {@link #keepBuffers()} makes it keep them at full size
 * once it has needed them (the master does so for game servers, whose traffic never stops).
 *
 * <p>Threading: as {@link Connection}; {@link #keepBuffers()} and {@link #heldBufferBytes()} from any thread.
 */
public final class OnDemandConnection extends Connection {
    private final ByteBuffer scratch;

    OnDemandConnection(ByteBuffer scratch) {
        this.scratch = scratch;
    }

    @Override
    void initialize(Serialization serialization, int writeBufferSize, int objectBufferSize) {
        tcp = new OnDemandTcpConnection(serialization, writeBufferSize, objectBufferSize, scratch);
    }

    private OnDemandTcpConnection buffers() {
        return (OnDemandTcpConnection) tcp;
    }

    /**
     * From now on, buffers are kept once allocated, at full size ({@code writeBufferSize} and
     * {@code objectBufferSize}): what KryoNet's own connections hold from their accept.
     */
    public void keepBuffers() {
        buffers().keepBuffers();
    }

    /** Whether {@link #keepBuffers()} was called. */
    public boolean keepsBuffers() {
        return buffers().keepsBuffers();
    }

    /** Bytes of read and write buffer this connection holds now (0 while idle, unless it keeps its buffers). */
    public int heldBufferBytes() {
        return buffers().heldBufferBytes();
    }

    @Override
    public int getTcpWriteBufferSize() {
        return buffers().queued();
    }

    @Override
    public boolean isIdle() {
        OnDemandTcpConnection buffers = buffers();
        return buffers.queued() / (float) buffers.maxWrite < tcp.idleThreshold;
    }
}
