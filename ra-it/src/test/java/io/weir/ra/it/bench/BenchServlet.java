package io.weir.ra.it.bench;

import jakarta.ejb.EJB;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** {@code POST /bench?count=N&size=S}: one {@link BenchLoader} transaction; {@code GET /bench}: deliveries so far. */
@WebServlet("/bench")
public class BenchServlet extends HttpServlet {

    @EJB
    private BenchLoader loader;
    @EJB
    private BenchCounter counter;

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        loader.load(Integer.parseInt(request.getParameter("count")), Integer.parseInt(request.getParameter("size")));
        response.setContentType("text/plain");
        response.getWriter().print("loaded");
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("text/plain");
        response.getWriter().print(counter.count());
    }
}
