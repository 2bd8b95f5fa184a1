package io.weir.jms;

import jakarta.jms.JMSContext;

/** Placeholder until the simplified API lands (being written on another branch). */
abstract class WeirJMSContext implements JMSContext {

    record SharedConnection(WeirConnection connection) {
    }

    static void checkMode(int mode) {
    }

    WeirJMSContext(SharedConnection c, int mode) {
        throw new UnsupportedOperationException("JMSContext is not available yet");
    }
}
