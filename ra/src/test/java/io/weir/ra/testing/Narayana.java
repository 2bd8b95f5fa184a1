package io.weir.ra.testing;

import com.arjuna.ats.arjuna.common.ObjectStoreEnvironmentBean;
import com.arjuna.ats.arjuna.common.arjPropertyManager;
import com.arjuna.common.internal.util.propertyservice.BeanPopulator;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.TransactionSynchronizationRegistry;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Narayana, the JTA transaction manager WildFly uses, configured once per test JVM (its configuration is global):
 * an object store in a temporary directory and a node identifier of its own.
 */
public final class Narayana {

    private static TransactionManager tm; // guarded by Narayana.class

    private Narayana() {
    }

    public static synchronized TransactionManager transactionManager() {
        if (tm == null) {
            try {
                Path store = Files.createTempDirectory("weir-ra-narayana");
                store.toFile().deleteOnExit();
                arjPropertyManager.getObjectStoreEnvironmentBean().setObjectStoreDir(store.toString());
                BeanPopulator.getNamedInstance(ObjectStoreEnvironmentBean.class, "communicationStore")
                        .setObjectStoreDir(store.toString());
                arjPropertyManager.getCoreEnvironmentBean().setNodeIdentifier("weir-ra-test");
            } catch (Exception e) {
                throw new IllegalStateException("Configuring Narayana failed", e);
            }
            tm = com.arjuna.ats.jta.TransactionManager.transactionManager();
        }
        return tm;
    }

    public static TransactionSynchronizationRegistry synchronizationRegistry() {
        transactionManager();
        return new com.arjuna.ats.internal.jta.transaction.arjunacore.TransactionSynchronizationRegistryImple();
    }
}
