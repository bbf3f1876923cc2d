package io.resilientconnector.internal.session;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.resilientconnector.DisconnectCause;
import io.resilientconnector.Disconnection;
import io.resilientconnector.internal.connect.AttemptListener;
import io.resilientconnector.internal.connect.ConnectPass;
import io.resilientconnector.internal.connect.Connected;
import io.resilientconnector.internal.connect.Dialer;
import io.resilientconnector.internal.connect.Failback;
import io.resilientconnector.internal.connect.Route;
import io.resilientconnector.internal.ending.CauseClassifier;
import io.resilientconnector.internal.ending.DisconnectRecorder;
import io.resilientconnector.internal.ending.Disconnections;
import io.resilientconnector.internal.pipeline.ConnectionPipeline;
import io.resilientconnector.internal.reconnect.ReconnectLoop;
import io.resilientconnector.util.Checks;

import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;

/**
 * The connector's attempt, as its reconnect loop starts it: one pass across every address of every endpoint
 * ({@link Dialer}), then the application's pipeline on the winner ({@link ConnectionPipeline#install}). Each
 * address's attempt is told to the connector's events as it starts and as it fails; the pass as a whole
 * succeeds or fails once, so the loop waits its backoff between passes only.
 *
 * <p>It also installs the winner of a failback's pass, as a candidate that replaces the current connection
 * once it is ready.
 */
public final class PassAttempt implements ReconnectLoop.Attempt, Failback.Installer {

    private final Dialer dialer;
    private final EventLoop loop;
    private final ConnectionPipeline pipeline;
    private final ConnectorSession events;
    private volatile Pass current;

    public PassAttempt(Dialer dialer, EventLoop loop, ConnectionPipeline pipeline, ConnectorSession events) {
        this.dialer = Checks.notNull(dialer, "dialer");
        this.loop = Checks.notNull(loop, "loop");
        this.pipeline = Checks.notNull(pipeline, "pipeline");
        this.events = Checks.notNull(events, "events");
    }

    @Override
    public Future<?> start() {
        Pass pass = new Pass();
        current = pass;
        pass.start();
        return pass.done;
    }

    @Override
    public Disconnection failure(Future<?> failed) {
        Throwable cause = failed.cause();
        if (cause instanceof SetupFailed) {
            return ((SetupFailed) cause).why;
        }
        // A ConnectFailedException's cause is its last attempt's, which the classifier walks to.
        Disconnection why = CauseClassifier.classifyConnectFailure(cause);
        Pass pass = current;
        if (pass != null && pass.done == failed && pass.lastFailedId != null) {
            why = Disconnections.from(why).connection(pass.lastFailedId, pass.lastFailedAddress).build();
        }
        return why;
    }

    @Override
    public Future<?> abort(Future<?> attempt) {
        Pass pass = current;
        return pass != null && pass.done == attempt ? pass.abort() : loop.newSucceededFuture(null);
    }

    /** An attempt listener that tells the connector's events, for a failback's passes. */
    public AttemptListener events() {
        return new Reporter();
    }

    @Override
    public Disconnection install(Connected won, boolean candidate) {
        Channel ch = won.channel();
        InetSocketAddress endpoint = won.route().endpoint();
        if (!events.installing(ch, endpoint, candidate)) {
            ch.close();
            return DisconnectRecorder.named(Disconnections.of(DisconnectCause.LOCAL_CLOSE), ch);
        }
        Disconnection failed;
        if (!ch.isActive()) {
            // The peer closed it between the connect and now; nothing was installed.
            failed = DisconnectRecorder.named(Disconnections.of(DisconnectCause.PEER_CLOSED), ch);
        } else {
            failed = pipeline.install(ch, endpoint);
        }
        if (failed != null) {
            events.notInstalled(ch);
        }
        return failed;
    }

    /** Tells the connector's events about each attempt, and keeps the last failure's connection for the pass. */
    private class Reporter implements AttemptListener {
        volatile String lastFailedId;
        volatile InetSocketAddress lastFailedAddress;

        @Override
        public void unresolved(InetSocketAddress endpoint, Throwable cause) {
            events.attemptFailed(endpoint, endpoint, CauseClassifier.classifyConnectFailure(cause));
        }

        @Override
        public void started(Route route) {
            events.attemptStarted(route.endpoint(), route.address());
        }

        @Override
        public void failed(Route route, Channel channel, Throwable cause) {
            Disconnection why = CauseClassifier.classifyConnectFailure(cause);
            if (channel != null) {
                lastFailedId = channel.id().asShortText();
                lastFailedAddress = route.address();
                why = Disconnections.from(why).connection(lastFailedId, route.address()).build();
            }
            events.attemptFailed(route.endpoint(), route.address(), why);
        }
    }

    /** One pass and what became of its winner. */
    private final class Pass extends Reporter {
        final Promise<Channel> done = loop.newPromise();
        private volatile ConnectPass pass;
        private volatile boolean aborted;

        void start() {
            ConnectPass p = dialer.pass(loop, this);
            pass = p;
            p.result().addListener(f -> finished(p));
            // Once every channel of the pass is closed or handed over, nothing is left to abort in it: let it go,
            // or each connector would keep its last pass (its race, lists and promises) for as long as it lives.
            p.settled().addListener(f -> {
                if (pass == p) {
                    pass = null;
                }
            });
        }

        /** On the event loop. */
        private void finished(ConnectPass p) {
            Future<Connected> f = p.result();
            if (f.isSuccess() && aborted) {
                f.getNow().channel().close();
            }
            if (f.isCancelled() || aborted) {
                done.tryFailure(new ClosedChannelException());
                return;
            }
            if (!f.isSuccess()) {
                done.tryFailure(f.cause());
                return;
            }
            Connected won = f.getNow();
            Disconnection failed = install(won, false);
            if (failed != null) {
                done.tryFailure(new SetupFailed(failed));
            } else if (!done.trySuccess(won.channel()) || aborted) {
                won.channel().close();
            }
        }

        /** Returns a future that completes once every channel of the pass is closed. */
        Future<?> abort() {
            aborted = true;
            ConnectPass p = pass;
            Future<?> settled = p != null ? p.cancel() : loop.newSucceededFuture(null);
            if (done.isSuccess()) {
                // Installed but perhaps not ready yet (a TLS handshake under way): nobody wants it now.
                return done.getNow().close();
            }
            return settled;
        }
    }

    /** The winner connected but could not be set up; carries why, for the reconnect loop. */
    private static final class SetupFailed extends Exception {
        private static final long serialVersionUID = 1L;
        final transient Disconnection why;

        SetupFailed(Disconnection why) {
            super(why.toString(), why.exception(), false, false);
            this.why = why;
        }
    }
}
