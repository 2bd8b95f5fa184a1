package io.weir.jms;

import jakarta.jms.IllegalStateException;
import jakarta.jms.IllegalStateRuntimeException;
import jakarta.jms.InvalidClientIDException;
import jakarta.jms.InvalidClientIDRuntimeException;
import jakarta.jms.InvalidDestinationException;
import jakarta.jms.InvalidDestinationRuntimeException;
import jakarta.jms.InvalidSelectorException;
import jakarta.jms.InvalidSelectorRuntimeException;
import jakarta.jms.JMSException;
import jakarta.jms.JMSRuntimeException;
import jakarta.jms.JMSSecurityException;
import jakarta.jms.JMSSecurityRuntimeException;
import jakarta.jms.MessageFormatException;
import jakarta.jms.MessageFormatRuntimeException;
import jakarta.jms.MessageNotWriteableException;
import jakarta.jms.MessageNotWriteableRuntimeException;
import jakarta.jms.ResourceAllocationException;
import jakarta.jms.ResourceAllocationRuntimeException;
import jakarta.jms.TransactionRolledBackException;
import jakarta.jms.TransactionRolledBackRuntimeException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The one place where JMS exceptions are made: from a failure of kafka-clients, from a checked JMS exception
 * for the simplified API's runtime exceptions, and for the spec's fixed cases (closed objects and so on).
 * Every exception made here links its cause.
 */
public final class JmsExceptionSupport {

    private JmsExceptionSupport() {
    }

    /** An {@link IllegalStateException} for an operation on a closed object. */
    public static IllegalStateException closed(String what) {
        return new IllegalStateException("The " + what + " is closed");
    }

    public static IllegalStateException illegalState(String message) {
        return new IllegalStateException(message);
    }

    /** Maps any failure (kafka-clients, interrupt, execution wrapper) to the JMS exception that names it. */
    public static JMSException create(String context, Throwable t) {
        Throwable cause = unwrap(t);
        if (cause instanceof JMSException j) {
            return j;
        }
        JMSException e;
        String msg = context + ": " + describe(cause);
        if (cause instanceof ProducerFencedException) {
            // the session's transactional id was taken over: the session can do no more work
            e = new IllegalStateException(msg + " (close this session)");
        } else if (cause instanceof TransactionalIdAuthorizationException) {
            e = new JMSSecurityException(msg + " (a broker without transactions needs the factory setting transactions=local)");
        } else if (cause instanceof InvalidTopicException || cause instanceof UnknownTopicOrPartitionException) {
            e = new InvalidDestinationException(msg);
        } else if (cause instanceof AuthenticationException || cause instanceof AuthorizationException) {
            e = new JMSSecurityException(msg);
        } else if (cause instanceof RecordTooLargeException) {
            e = new ResourceAllocationException(msg);
        } else if (cause instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            e = new JMSException(context + ": interrupted");
        } else if (cause instanceof TimeoutException || cause instanceof java.util.concurrent.TimeoutException) {
            e = new JMSException(msg + " (is the broker reachable?)");
        } else {
            e = new JMSException(msg);
        }
        link(e, cause);
        return e;
    }

    /**
     * A {@link TransactionRolledBackException} for a commit that rolled back instead: the message names the
     * cause, which is linked (a fenced transactional id, a failed send, a lost partition, a coordinator error).
     */
    public static TransactionRolledBackException rolledBack(String context, Throwable t) {
        Throwable why = unwrap(t);
        Throwable cause = why.getCause() != null ? unwrap(why.getCause()) : why;
        TransactionRolledBackException e = new TransactionRolledBackException(context + ": " + why.getMessage()
                + (cause != why ? " (" + describe(cause) + ")" : ""));
        return link(e, cause);
    }

    /** Sets both the JMS linked exception and the Java cause. */
    public static <E extends JMSException> E link(E e, Throwable cause) {
        if (cause instanceof Exception ex) {
            e.setLinkedException(ex);
        }
        if (cause != null && e.getCause() == null) {
            e.initCause(cause);
        }
        return e;
    }

    static Throwable unwrap(Throwable t) {
        Throwable c = t;
        while ((c instanceof ExecutionException || c instanceof CompletionException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }

    private static String describe(Throwable t) {
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    /** The simplified API's unchecked form of a JMS exception, of the matching subtype. */
    public static JMSRuntimeException toRuntime(JMSException e) {
        JMSRuntimeException r;
        String m = e.getMessage();
        String code = e.getErrorCode();
        if (e instanceof IllegalStateException) {
            r = new IllegalStateRuntimeException(m, code, e);
        } else if (e instanceof InvalidDestinationException) {
            r = new InvalidDestinationRuntimeException(m, code, e);
        } else if (e instanceof InvalidSelectorException) {
            r = new InvalidSelectorRuntimeException(m, code, e);
        } else if (e instanceof InvalidClientIDException) {
            r = new InvalidClientIDRuntimeException(m, code, e);
        } else if (e instanceof JMSSecurityException) {
            r = new JMSSecurityRuntimeException(m, code, e);
        } else if (e instanceof MessageFormatException) {
            r = new MessageFormatRuntimeException(m, code, e);
        } else if (e instanceof MessageNotWriteableException) {
            r = new MessageNotWriteableRuntimeException(m, code, e);
        } else if (e instanceof ResourceAllocationException) {
            r = new ResourceAllocationRuntimeException(m, code, e);
        } else if (e instanceof TransactionRolledBackException) {
            r = new TransactionRolledBackRuntimeException(m, code, e);
        } else {
            r = new JMSRuntimeException(m, code, e);
        }
        return r;
    }

    /** Runs {@code call}, turning a checked JMS exception into its runtime form. */
    public static <T> T runtime(JmsCall<T> call) {
        try {
            return call.call();
        } catch (JMSException e) {
            throw toRuntime(e);
        }
    }

    public static void runtimeVoid(JmsRun run) {
        try {
            run.run();
        } catch (JMSException e) {
            throw toRuntime(e);
        }
    }

    @FunctionalInterface
    public interface JmsCall<T> {
        T call() throws JMSException;
    }

    @FunctionalInterface
    public interface JmsRun {
        void run() throws JMSException;
    }
}
