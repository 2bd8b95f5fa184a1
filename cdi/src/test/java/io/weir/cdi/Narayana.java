package io.weir.cdi;

import com.arjuna.ats.arjuna.common.ObjectStoreEnvironmentBean;
import com.arjuna.ats.arjuna.common.arjPropertyManager;
import com.arjuna.common.internal.util.propertyservice.BeanPopulator;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.TransactionSynchronizationRegistry;

import java.nio.file.Files;
import java.nio.file.Path;

/** Narayana, a real JTA transaction manager, configured once per test JVM (its configuration is global). */
final class Narayana {

    private static TransactionManager tm; // guarded by Narayana.class

    private Narayana() {
    }

    static synchronized TransactionManager transactionManager() {
        if (tm == null) {
            try {
                Path store = Files.createTempDirectory("weir-cdi-narayana");
                store.toFile().deleteOnExit();
                arjPropertyManager.getObjectStoreEnvironmentBean().setObjectStoreDir(store.toString());
                BeanPopulator.getNamedInstance(ObjectStoreEnvironmentBean.class, "communicationStore")
                        .setObjectStoreDir(store.toString());
                arjPropertyManager.getCoreEnvironmentBean().setNodeIdentifier("weir-cdi-test");
            } catch (Exception e) {
                throw new IllegalStateException("Configuring Narayana failed", e);
            }
            tm = com.arjuna.ats.jta.TransactionManager.transactionManager();
        }
        return tm;
    }

    static TransactionSynchronizationRegistry synchronizationRegistry() {
        transactionManager();
        return new com.arjuna.ats.internal.jta.transaction.arjunacore.TransactionSynchronizationRegistryImple();
    }
}
