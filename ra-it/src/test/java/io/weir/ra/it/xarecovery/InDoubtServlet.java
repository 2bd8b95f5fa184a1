package io.weir.ra.it.xarecovery;

import jakarta.annotation.Resource;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSContext;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.transaction.TransactionManager;
import java.io.IOException;

/**
 * {@code POST /in-doubt?queue=…&body=…&mode=…}: one JTA transaction with two XA resources, the Weir adapter's pooled
 * factory (enlisted by the server when the context is created) sending {@code body} to {@code queue}, and a resource
 * that stops the commit half way. {@code mode=halt-in-commit}: {@link HaltOnCommit} enlisted first, so the commit
 * prepares both, logs the decision and the server dies at the first commit, before Weir's.
 * {@code mode=stall-in-prepare}: {@link StallInPrepare} enlisted after Weir, so Weir is prepared and the transaction
 * manager waits with no decision logged. No answer comes back in either mode. Only Jakarta APIs.
 */
@WebServlet("/in-doubt")
public class InDoubtServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Resource(lookup = "java:/jms/weir/ConnectionFactory")
    private ConnectionFactory factory;

    @Resource(lookup = "java:/TransactionManager")
    private TransactionManager transactions;

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String queue = request.getParameter("queue");
        String body = request.getParameter("body");
        String mode = request.getParameter("mode");
        boolean halt = "halt-in-commit".equals(mode);
        if (queue == null || body == null || !(halt || "stall-in-prepare".equals(mode))) {
            response.sendError(HttpServletResponse.SC_BAD_REQUEST,
                    "queue, body and mode (halt-in-commit or stall-in-prepare) are required");
            return;
        }
        try {
            transactions.begin();
            if (halt) {
                transactions.getTransaction().enlistResource(new HaltOnCommit());
            }
            try (JMSContext context = factory.createContext()) {
                context.createProducer().send(context.createQueue(queue), body);
            }
            if (!halt) {
                transactions.getTransaction().enlistResource(new StallInPrepare());
            }
            transactions.commit();
        } catch (Exception e) {
            throw new IOException("The in-doubt transaction failed before its commit: " + e, e);
        }
        // not reached: the server dies first
        response.getWriter().print("committed");
    }
}
