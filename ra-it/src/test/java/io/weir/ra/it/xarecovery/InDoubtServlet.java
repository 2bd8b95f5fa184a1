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
 * {@code POST /in-doubt?queue=…&body=…}: one JTA transaction with two XA resources, {@link HaltOnCommit} enlisted
 * first and then the Weir adapter's pooled factory (enlisted by the server when the context is created), which sends
 * {@code body} to {@code queue}. The commit prepares both, logs the decision, and the server dies at the first
 * commit: no answer ever comes back. Only Jakarta APIs.
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
        if (queue == null || body == null) {
            response.sendError(HttpServletResponse.SC_BAD_REQUEST, "queue and body are required");
            return;
        }
        try {
            transactions.begin();
            transactions.getTransaction().enlistResource(new HaltOnCommit());
            try (JMSContext context = factory.createContext()) {
                context.createProducer().send(context.createQueue(queue), body);
            }
            transactions.commit();
        } catch (Exception e) {
            throw new IOException("The in-doubt transaction failed before its commit: " + e, e);
        }
        // not reached when the crash resource is in the transaction
        response.getWriter().print("committed");
    }
}
