package io.weir.ra;

import jakarta.jms.Destination;
import jakarta.resource.Referenceable;

import javax.naming.Reference;
import java.io.Serializable;
import java.util.Objects;

/**
 * An administered destination as the application server creates it from {@code ra.xml}: a JavaBean with a
 * {@code name} property (the Weir queue or topic name), bound in JNDI by the server. The provider accepts it
 * wherever a destination is expected (by name). Not thread-safe while being configured; immutable in use.
 */
public abstract class AdminDestination implements Destination, Serializable, Referenceable {

    private static final long serialVersionUID = 1L;

    private String name;
    private Reference reference;

    /** The queue or topic name. */
    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    @Override
    public void setReference(Reference reference) {
        this.reference = reference;
    }

    @Override
    public Reference getReference() {
        return reference;
    }

    /** The name, checked: an admin object used before its name was configured is a deployment error. */
    protected String checkedName() {
        if (name == null || name.isBlank()) {
            throw new IllegalStateException(getClass().getSimpleName() + ": the 'name' property is not set");
        }
        return name;
    }

    @Override
    public boolean equals(Object o) {
        return o != null && o.getClass() == getClass() && Objects.equals(name, ((AdminDestination) o).name);
    }

    @Override
    public int hashCode() {
        return Objects.hash(getClass().getName(), name);
    }
}
