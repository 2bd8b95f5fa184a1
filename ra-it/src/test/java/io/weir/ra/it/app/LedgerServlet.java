package io.weir.ra.it.app;

import jakarta.ejb.EJB;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * {@code GET /ledger?text=T}: the deliveries of T ({@link Ledger#deliveries}); {@code GET /ledger?parallel}: the
 * most parallel deliveries seen at once.
 */
@WebServlet("/ledger")
public class LedgerServlet extends HttpServlet {

    @EJB
    private Ledger ledger;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("text/plain");
        String text = request.getParameter("text");
        if (text != null) {
            response.getWriter().print(ledger.deliveries(text));
        } else {
            response.getWriter().print(ledger.maxInFlight());
        }
    }
}
