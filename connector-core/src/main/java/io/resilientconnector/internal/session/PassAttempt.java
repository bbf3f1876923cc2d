package io.resilientconnector.internal.session;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.resilientconnector.DisconnectCause;
import io.resilientconnector.Disconnection;
import io.resilientconnector.internal.connect.AttemptListener;
import io.resilientconnector.internal.connect.ConnectFailedException;
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

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

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
        Pass pass = current;
        if (cause instanceof ConnectFailedException) {
            if (pass != null && pass.done == failed && !pass.failures.isEmpty()) {
                // The last address's failure, as attemptFailed told it: named after its connection, and with the
                // transport's own exception rather than the pass's summary, whose type is ours.
                return pass.failures.get(pass.failures.size() - 1);
            }
            // No address was tried: the user reads a public type.
            cause = new ConnectException(cause.getMessage());
        }
        return CauseClassifier.classifyConnectFailure(cause);
    }

    @Override
    public List<Disconnection> failures(Future<?> attempt, Disconnection last) {
        Pass pass = current;
        List<Disconnection> all = new ArrayList<>();
        if (pass != null && pass.done == attempt) {
            all.addAll(pass.failures);
        }
        if (all.isEmpty() || all.get(all.size() - 1) != last) {
            all.add(last);
        }
        return List.copyOf(all);
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

    /** Tells the connector's events about each attempt. */
    private class Reporter implements AttemptListener {

        /** An attempt's failure, as it is told. */
        void failed(Disconnection why) {
        }

        @Override
        public void unresolved(InetSocketAddress endpoint, Throwable cause) {
            Disconnection why = Disconnections.from(CauseClassifier.classifyConnectFailure(cause))
                    .remoteAddress(endpoint).build();
            failed(why);
            events.attemptFailed(endpoint, endpoint, why);
        }

        @Override
        public void started(Route route) {
            events.attemptStarted(route.endpoint(), route.address());
        }

        @Override
        public void failed(Route route, Channel channel, Throwable cause) {
            Disconnection why = CauseClassifier.classifyConnectFailure(cause);
            why = channel != null ? Disconnections.from(why).connection(channel.id().asShortText(), route.address()).build()
                    : Disconnections.from(why).remoteAddress(route.address()).build();
            failed(why);
            events.attemptFailed(route.endpoint(), route.address(), why);
        }
    }

    /** One pass and what became of its winner. */
    private final class Pass extends Reporter {
        final Promise<Channel> done = loop.newPromise();
        /** Every address's failure so far, in the order they failed. */
        final List<Disconnection> failures = new CopyOnWriteArrayList<>();
        private volatile ConnectPass pass;
        private volatile boolean aborted;

        @Override
        void failed(Disconnection why) {
            failures.add(why);
        }

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
