package io.weir.ra.it.payara.app;

import io.weir.ra.it.xarecovery.HaltOnCommit;
import io.weir.ra.it.xarecovery.StallInPrepare;
import jakarta.annotation.Resource;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSContext;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.UserTransaction;
import java.io.IOException;

/**
 * ra-it's {@code InDoubtServlet} for Payara: {@code POST /in-doubt?queue=…&body=…&mode=…}, one JTA transaction with
 * the adapter's pooled factory ({@code jms/weir/ConnectionFactory}) sending {@code body} to {@code queue} beside a
 * resource that stops the commit half way. {@code mode=halt-in-commit}: {@link HaltOnCommit} enlisted first, so the
 * commit prepares both, logs the decision and the server dies at the first commit, before Weir's.
 * {@code mode=stall-in-prepare}: {@link JtaPromotion} first, {@link StallInPrepare} after Weir, so Weir is prepared
 * and the transaction manager waits with no decision logged. No answer comes back in either mode.
 *
 * <p>Two differences from WildFly's. The transaction is begun and committed through the component's
 * {@code UserTransaction}: begun with Payara's {@code TransactionManager} ({@code java:appserver/TransactionManager})
 * the connection created next was not enlisted at all (its send went out through a plain idempotent producer, no
 * Kafka transaction; the transaction, with {@code StallInPrepare} its only XA resource, committed in one phase). The
 * {@code TransactionManager} serves only to enlist the test's own resources. And a resource enlisted before Weir's in
 * both modes makes the transaction a distributed (JTS) one from the start, so that Weir's connection is an XA branch,
 * never the one resource of Payara's local transaction or its last agent.
 */
@WebServlet("/in-doubt")
public class PayaraInDoubtServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Resource(lookup = PayaraNames.CONNECTION_FACTORY)
    private ConnectionFactory factory;

    @Resource(lookup = "java:appserver/TransactionManager")
    private TransactionManager transactions;

    @Resource
    private UserTransaction userTransaction;

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
            userTransaction.begin();
            transactions.getTransaction().enlistResource(halt ? new HaltOnCommit() : new JtaPromotion());
            try (JMSContext context = factory.createContext()) {
                context.createProducer().send(context.createQueue(queue), body);
            }
            if (!halt) {
                transactions.getTransaction().enlistResource(new StallInPrepare());
            }
            userTransaction.commit();
        } catch (Exception e) {
            throw new IOException("The in-doubt transaction failed before its commit: " + e, e);
        }
        // not reached: the server dies first
        response.getWriter().print("committed");
    }
}
