package io.weir.ra.it.smoke;

import jakarta.ejb.EJB;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** Answers {@code GET /greet?name=x} through the {@link Greeter} bean. */
@WebServlet("/greet")
public class GreeterServlet extends HttpServlet {
    @EJB
    private Greeter greeter;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("text/plain");
        response.getWriter().print(greeter.greet(request.getParameter("name")));
    }
}
