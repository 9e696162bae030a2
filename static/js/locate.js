// "Use my position": fills the near field from the browser's location, if allowed.
// Progressive enhancement: without JavaScript the button stays hidden.
(function () {
  if (!("geolocation" in navigator)) return;
  document.querySelectorAll("button.locate").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (pos) {
        var field = document.getElementById(button.dataset.target);
        field.value = pos.coords.latitude.toFixed(5) + "," + pos.coords.longitude.toFixed(5);
        field.form.submit();
      });
    });
  });
})();
