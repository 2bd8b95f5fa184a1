package io.weir.ra.it.payara.app;

import jakarta.ejb.EJB;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Locale;

/**
 * {@code POST /send?api=resource|classic|inject&dest=<JNDI name>&text=a&text=b[&rollback=true]}: one
 * {@link PayaraSender} call, so one container transaction. Answers 200 {@code sent} or {@code rolled back}; 400 for a
 * destination outside {@code jms/weir/}.
 */
@WebServlet("/send")
public class PayaraSendServlet extends HttpServlet {

    @EJB
    private PayaraSender sender;

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        PayaraSender.Api api = PayaraSender.Api.valueOf(request.getParameter("api").toUpperCase(Locale.ROOT));
        String destination = request.getParameter("dest");
        if (destination == null || !destination.startsWith(PayaraNames.PREFIX)) {
            response.sendError(400, "dest must be a " + PayaraNames.PREFIX + " name");
            return;
        }
        List<String> texts = List.of(request.getParameterValues("text"));
        boolean rollback = Boolean.parseBoolean(request.getParameter("rollback"));
        try {
            sender.send(api, destination, texts, rollback);
        } catch (Exception e) {
            throw new IOException("Sending failed", e);
        }
        response.setContentType("text/plain");
        response.getWriter().print(rollback ? "rolled back" : "sent");
    }
}
