package io.weir.ra.outbound;

import jakarta.resource.spi.ConnectionRequestInfo;

import java.util.Objects;

/**
 * What the application asked for when it made a session: the credentials of component-managed sign-on
 * ({@code createConnection(user, password)}; null for container-managed) and the session mode it requested.
 * Immutable.
 */
public final class WeirConnectionRequestInfo implements ConnectionRequestInfo {

    private final String userName;
    private final String password;
    private final int sessionMode;

    public WeirConnectionRequestInfo(String userName, String password, int sessionMode) {
        this.userName = userName;
        this.password = password;
        this.sessionMode = sessionMode;
    }

    public String userName() {
        return userName;
    }

    public String password() {
        return password;
    }

    public int sessionMode() {
        return sessionMode;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WeirConnectionRequestInfo c && Objects.equals(userName, c.userName)
                && Objects.equals(password, c.password) && sessionMode == c.sessionMode;
    }

    @Override
    public int hashCode() {
        return Objects.hash(userName, password, sessionMode);
    }

    @Override
    public String toString() {
        return "WeirConnectionRequestInfo(user=" + userName + ", sessionMode=" + sessionMode + ")";
    }
}
