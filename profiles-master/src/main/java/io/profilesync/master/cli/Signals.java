package io.profilesync.master.cli;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * Makes SIGTERM and SIGINT end the JVM with {@code System.exit(0)}, so the shutdown hooks run and the exit code is 0
 * rather than 143 or 130. Uses {@code sun.misc.Signal} (module jdk.unsupported) by reflection; where it is missing
 * the JVM's default handling stays: the hooks still run, only the exit code differs.
 */
final class Signals {
    private Signals() {
    }

    static void exitZeroOn(String... names) {
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            InvocationHandler exit = (Object proxy, Method method, Object[] args) -> {
                return switch (method.getName()) {
                    case "handle" -> {
                        // A new thread: System.exit blocks until the hooks finish; the signal thread must not.
                        new Thread(() -> System.exit(ExitCodes.OK), "profilesync-signal").start();
                        yield null;
                    }
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> "profilesync exit-0 signal handler";
                };
            };
            Object handler = Proxy.newProxyInstance(Signals.class.getClassLoader(), new Class<?>[] {handlerClass},
                    exit);
            Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
            for (String name : names) {
                handle.invoke(null, signalClass.getConstructor(String.class).newInstance(name), handler);
            }
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            // Keep the JVM's own handling.
        }
    }
}
