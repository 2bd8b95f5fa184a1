package io.weir.samples.wildfly;

import jakarta.ejb.EJB;
import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;

/**
 * {@code POST /orders?item=book} places an order (one container transaction); {@code &fail=true} rolls that
 * transaction back. {@code GET /orders} lists what the message-driven bean received, one order a line.
 */
@WebServlet("/orders")
public class OrdersServlet extends HttpServlet {

    @EJB
    private OrderDesk desk;
    @Inject
    private ReceivedOrders received;

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String item = request.getParameter("item");
        if (item == null || item.isBlank()) {
            response.sendError(HttpServletResponse.SC_BAD_REQUEST, "item is missing: POST /orders?item=book");
            return;
        }
        boolean fail = Boolean.parseBoolean(request.getParameter("fail"));
        desk.place(item, fail);
        response.setContentType("text/plain;charset=UTF-8");
        response.getWriter().println(fail ? "rolled back: " + item : "placed: " + item);
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("text/plain;charset=UTF-8");
        PrintWriter out = response.getWriter();
        received.all().forEach(out::println);
    }
}
