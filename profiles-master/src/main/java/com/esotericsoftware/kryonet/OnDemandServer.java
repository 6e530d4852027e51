package com.esotericsoftware.kryonet;

import java.nio.ByteBuffer;

/**
 * A KryoNet {@link Server} whose connections hold buffers only while they need them ({@link OnDemandConnection}): an
 * idle connection holds none, where KryoNet's own allocates {@code writeBufferSize + objectBufferSize} bytes for every
 * connection at accept (384 KiB with the master's defaults, for each idle client). Both sizes stay the most a
 * connection may use: the largest frame read, and the most bytes queued to be written.
 *
 * <p>It lives in KryoNet's package because KryoNet makes a connection's buffers in a package-private class
 * ({@code TcpConnection}) from a package-private method ({@code Connection.initialize}); it depends on KryoNet
 * 2.22.0-RC1 exactly (the version the root pom pins), and {@link #check()} fails the start clearly if that does not
 * hold.
 *
 * <p>Threading: as {@link Server}. One buffer of {@code writeBufferSize} bytes, shared by every connection of the
 * server under a lock, holds each message while it is serialized.
 */
public final class OnDemandServer extends Server {
    private final int writeBufferSize;
    private final int objectBufferSize;
    private final Serialization serialization;
    /** Where each message is serialized before it goes to the socket (and, what the socket did not take, queued). */
    private final ByteBuffer scratch;

    public OnDemandServer(int writeBufferSize, int objectBufferSize, Serialization serialization) {
        super(writeBufferSize, objectBufferSize, serialization);
        this.writeBufferSize = writeBufferSize;
        this.objectBufferSize = objectBufferSize;
        this.serialization = serialization;
        this.scratch = ByteBuffer.allocate(writeBufferSize);
        check();
    }

    @Override
    protected Connection newConnection() {
        return new OnDemandConnection(scratch);
    }

    /**
     * Makes sure KryoNet will give its connections on-demand buffers: this class and KryoNet must be in the same
     * runtime package (one class loader) and KryoNet must be the version this was written for.
     *
     * @throws IllegalStateException when they are not, naming the fix
     */
    private void check() {
        try {
            OnDemandConnection probe = new OnDemandConnection(scratch);
            probe.initialize(serialization, writeBufferSize, objectBufferSize);
            if (!(probe.tcp instanceof OnDemandTcpConnection)) {
                throw new IllegalStateException("KryoNet did not take the master's on-demand buffers");
            }
        } catch (LinkageError | IllegalStateException e) {
            throw new IllegalStateException("the master's connection buffers need KryoNet 2.22.0-RC1 loaded by the "
                    + "same class loader as profiles-master (" + e + "); run the master from its jar, or put both "
                    + "on the same class path", e);
        }
    }
}
