package io.weir.jms;

import jakarta.jms.ConnectionMetaData;

import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/**
 * What this provider is and which JMSX properties it supports; the resource adapter's connections answer with it
 * too. Immutable.
 */
public final class WeirConnectionMetaData implements ConnectionMetaData {

    public static final WeirConnectionMetaData INSTANCE = new WeirConnectionMetaData();

    @Override
    public String getJMSVersion() {
        return "3.1";
    }

    @Override
    public int getJMSMajorVersion() {
        return 3;
    }

    @Override
    public int getJMSMinorVersion() {
        return 1;
    }

    @Override
    public String getJMSProviderName() {
        return "Weir";
    }

    @Override
    public String getProviderVersion() {
        return "0.1.0";
    }

    @Override
    public int getProviderMajorVersion() {
        return 0;
    }

    @Override
    public int getProviderMinorVersion() {
        return 1;
    }

    @Override
    public Enumeration<String> getJMSXPropertyNames() {
        return Collections.enumeration(List.of("JMSXGroupID", "JMSXGroupSeq", "JMSXDeliveryCount"));
    }
}
