package io.resilientconnector.benchmarks;

/**
 * A benchmark cannot run as asked on this machine: a bad argument, or a limit such as open files set too low.
 * A main reports it as one line and exits with status 2; it is not a failure of the code under test.
 */
final class SetupException extends RuntimeException {

    SetupException(String message) {
        super(message);
    }
}
