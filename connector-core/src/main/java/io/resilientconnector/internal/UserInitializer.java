package io.resilientconnector.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * Installs the application's handlers so that a failure surfaces as an exception. Netty's
 * {@link ChannelInitializer} catches what its {@code initChannel} throws, logs it and closes the channel,
 * which would leave the connector with a bare "channel closed". Calling {@code initChannel} directly (it is
 * protected, hence reflection) lets the connector report the application's own exception as the cause.
 * Where the JVM forbids the reflective call, the initializer is added as usual.
 */
public final class UserInitializer {

    private static final Method INIT_CHANNEL = initChannelMethod();

    private UserInitializer() {
    }

    /** Adds {@code handler} to {@code ch}, throwing whatever the application's initializer threw. */
    public static void install(Channel ch, String name, ChannelHandler handler) throws Exception {
        if (handler instanceof ChannelInitializer && INIT_CHANNEL != null) {
            try {
                INIT_CHANNEL.invoke(handler, ch);
            } catch (InvocationTargetException e) {
                Throwable cause = e.getCause();
                if (cause instanceof Exception) {
                    throw (Exception) cause;
                }
                if (cause instanceof Error) {
                    throw (Error) cause;
                }
                throw e;
            }
        } else {
            ch.pipeline().addLast(name, handler);
        }
    }

    private static Method initChannelMethod() {
        try {
            Method m = ChannelInitializer.class.getDeclaredMethod("initChannel", Channel.class);
            m.setAccessible(true);
            return m;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
