package io.resilientconnector.internal.ending;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.kqueue.KQueue;
import io.netty.channel.unix.Errors;
import io.resilientconnector.DisconnectCause;
import io.resilientconnector.Disconnection;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every errno the classifier names, as the native transports raise it: Netty's {@link Errors#newIOException}
 * with the negative errno its JNI calls return. Real sockets exercise only ECONNRESET and ECONNREFUSED on
 * loopback; this table covers the rest.
 */
class ErrnoClassificationTest {

    @BeforeAll
    static void nativeTransportLoaded() {
        // NativeIoException's message comes from strerror, which lives in the native transport's library.
        assumeTrue(Epoll.isAvailable() || KQueue.isAvailable(),
                "needs a native transport (epoll or kqueue) to raise Netty's native exceptions");
    }

    private static IOException nativeError(String method, Errno errno) {
        // Netty's JNI calls return -errno, and NativeIoException.expectedErr() keeps that sign.
        Errors.NativeIoException e = Errors.newIOException(method, -errno.number());
        assertThat(e.expectedErr()).isNegative();
        return e;
    }

    @ParameterizedTest(name = "{0} on an established connection is {1}")
    @CsvSource({
            "ECONNRESET, RESET",
            "EPIPE, RESET",
            "ECONNABORTED, RESET",
            "ETIMEDOUT, TIMED_OUT",
            "EHOSTUNREACH, UNREACHABLE",
            "ENETUNREACH, UNREACHABLE",
            "ENETDOWN, UNREACHABLE",
            "EHOSTDOWN, UNREACHABLE",
            // Not a reason an established connection ends; reported as it is, with its errno.
            "ECONNREFUSED, OTHER",
    })
    void classifiesAnEstablishedFailureByErrno(Errno errno, DisconnectCause expected) {
        Disconnection why = CauseClassifier.classifyEstablished(nativeError("read", errno));
        assertThat(why.cause()).isEqualTo(expected);
        assertThat(why.errno()).isEqualTo(errno.name());
    }

    @ParameterizedTest(name = "{0} while connecting is {1}")
    @CsvSource({
            "ECONNREFUSED, CONNECT_REFUSED",
            "ETIMEDOUT, CONNECT_TIMEOUT",
            "EHOSTUNREACH, UNREACHABLE",
            "ENETUNREACH, UNREACHABLE",
            "ENETDOWN, UNREACHABLE",
            "EHOSTDOWN, UNREACHABLE",
            "ECONNRESET, RESET",
            "EPIPE, RESET",
            "ECONNABORTED, RESET",
    })
    void classifiesAConnectFailureByErrno(Errno errno, DisconnectCause expected) {
        Disconnection why = CauseClassifier.classifyConnectFailure(nativeError("connect", errno));
        assertThat(why.cause()).isEqualTo(expected);
        assertThat(why.errno()).isEqualTo(errno.name());
    }

    @Test
    void aResetWhileConnectingSaysSoInItsDetail() {
        Disconnection why = CauseClassifier.classifyConnectFailure(nativeError("connect", Errno.ECONNRESET));
        assertThat(why.cause()).isEqualTo(DisconnectCause.RESET);
        assertThat(why.detail()).isEqualTo("reset by the peer while connecting");
        assertThat(CauseClassifier.classifyConnectFailure(nativeError("connect", Errno.ECONNREFUSED)).detail()).isNull();
    }

    @Test
    void anErrnoOutsideTheTableIsOtherOnAnEstablishedConnection() {
        // EIO is 5 on Linux and macOS alike.
        Disconnection why = CauseClassifier.classifyEstablished(Errors.newIOException("read", -5));
        assertThat(why.cause()).isEqualTo(DisconnectCause.OTHER);
        assertThat(why.errno()).isNull();
    }

    @Test
    void theErrnoTableAgreesWithTheKernelNumbersNettyReads() {
        // Netty reads these from the platform's headers through JNI; Errno hard-codes them per kernel family.
        assertThat(-Errors.ERRNO_EPIPE_NEGATIVE).isEqualTo(Errno.EPIPE.number());
        assertThat(-Errors.ERRNO_ECONNRESET_NEGATIVE).isEqualTo(Errno.ECONNRESET.number());
        assertThat(-Errors.ERROR_ECONNREFUSED_NEGATIVE).isEqualTo(Errno.ECONNREFUSED.number());
        assertThat(-Errors.ERROR_ENETUNREACH_NEGATIVE).isEqualTo(Errno.ENETUNREACH.number());
        assertThat(-Errors.ERROR_EHOSTUNREACH_NEGATIVE).isEqualTo(Errno.EHOSTUNREACH.number());
    }
}
