package io.weir.ra.it.smoke;

import jakarta.ejb.Stateless;

/** A stateless session bean: proves that the server deploys EJBs. */
@Stateless
public class Greeter {
    public String greet(String name) {
        return "hello " + name;
    }
}
